// `created by` names the function that executed the go statement (the creator's PC, gopc) and
// the goroutine that ran it: main calls spawn, which starts worker; worker starts leaf.
//go:debug default=go1.27
package main

import "fmt"

var block = make(chan int)

func worker() {
	go leaf()
	<-block
}

func leaf() {
	<-block
}

func spawn() {
	go worker()
}

func main() {
	fmt.Println("start")
	spawn()
	<-block
}
