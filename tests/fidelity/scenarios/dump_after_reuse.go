// A dump after a G struct is reused (gfget): a ends, and c gets a's dead G, so the dump (in the
// order G structs were made, allgs) shows c (goroutine 9) before b (goroutine 8); b's `created by`
// still names a and goroutine 7, which no longer exists.
//go:debug default=go1.27
package main

import (
	"fmt"
	"time"
)

var block = make(chan int)

func a() {
	go b()
}

func b() {
	<-block
}

func c() {
	<-block
}

func main() {
	fmt.Println("start")
	go a()
	time.Sleep(time.Millisecond)
	go c()
	<-block
}
