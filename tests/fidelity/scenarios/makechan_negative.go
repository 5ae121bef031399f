// make(chan T, n) with n < 0 at run time: the runtime panics with `makechan: size out of range`,
// which recover can catch; unrecovered it ends the program.
//go:debug default=go1.27
package main

import "fmt"

func mk(n int) (err any) {
	defer func() { err = recover() }()
	_ = make(chan int, n)
	return nil
}

func main() {
	n := -1
	fmt.Println("recovered:", mk(n))
	_ = make(chan int, n)
}
