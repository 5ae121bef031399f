// GOTRACEBACK decides which goroutines a panic prints (runtime1.go: setTraceback, panic.go:
// dopanic_m): none, single (the default: the panicking goroutine), all (every user goroutine),
// system (the runtime's too, with gp=/m= in each header). The sleep lets the runtime's
// goroutines park first, so their states are the same in every run.
//go:debug default=go1.27
package main

import (
	"fmt"
	"time"
)

var block = make(chan int)

func waiter() {
	<-block
}

func boom() {
	panic("boom")
}

func main() {
	fmt.Println("start")
	go waiter()
	time.Sleep(10 * time.Millisecond)
	go boom()
	<-block
}
