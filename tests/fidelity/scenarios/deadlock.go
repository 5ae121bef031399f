// B11: every goroutine blocked, no timers, no syscalls: checkdead's fatal error and dump.
//go:debug default=go1.27
package main

import "fmt"

func main() {
	fmt.Println("start") // links fmt/os, like most programs (the finalizer goroutine exists)
	ch := make(chan int)
	var nilch chan int
	go func() {
		<-nilch
	}()
	<-ch
}
