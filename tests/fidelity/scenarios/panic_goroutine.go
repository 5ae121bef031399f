// B13 with fmt linked: an unrecovered panic in a goroutine prints only that goroutine and exits
// with status 2. (fmt links os, whose finalizer goroutine takes id 6: the panicking goroutine is
// 7, or 19 on P1's goid batch; B13's `goroutine 6` is a program without os: goid_without_os.)
//go:debug default=go1.27
package main

import (
	"fmt"
	"time"
)

func main() {
	fmt.Println("start") // links fmt/os, like most programs (the finalizer goroutine exists)
	go func() {
		panic("boom")
	}()
	time.Sleep(time.Second)
}
