// A select that waited on a time.After channel and a channel that won first: the goroutine stops
// waiting on the timer channel, whose timer leaves the heap (a zombie, removed by the next
// timers.check), so main's later block is a deadlock reported at once, not after the timer's
// 50 ms (spec §10, §12.1).
//go:debug default=go1.27
package main

import (
	"fmt"
	"time"
)

func main() {
	c := make(chan int)
	go func() {
		time.Sleep(time.Millisecond)
		c <- 1
	}()
	select {
	case v := <-c:
		fmt.Println("got", v)
	case <-time.After(50 * time.Millisecond):
		fmt.Println("timeout")
	}
	<-c
}
