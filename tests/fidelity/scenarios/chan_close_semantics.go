// B12b: closed and nil channel semantics, each panic recovered and printed.
//go:debug default=go1.27
package main

import "fmt"

func try(name string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Printf("%s: %v\n", name, r)
		}
	}()
	f()
}

func main() {
	try("close-closed", func() { c := make(chan int); close(c); close(c) })
	try("close-nil", func() { var c chan int; close(c) })
	try("send-closed", func() { c := make(chan int, 1); close(c); c <- 1 })
	c := make(chan int, 2)
	c <- 7
	close(c)
	v, ok := <-c
	w, ok2 := <-c
	fmt.Println(v, ok, "then", w, ok2)
	var nilc chan int
	select {
	case nilc <- 1:
		fmt.Println("sent on nil")
	default:
		fmt.Println("nil send in select takes default")
	}
}
