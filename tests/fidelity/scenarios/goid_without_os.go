// Goroutine ids in a program that links no os (builtin println, time): no finalizer goroutine, so
// main's first goroutine is 6, after the runtime's 2-5 (spec §3 step 4, §14 B13).
//go:debug default=go1.27
package main

import "time"

func main() {
	go func() {
		panic("boom")
	}()
	time.Sleep(time.Second)
}
