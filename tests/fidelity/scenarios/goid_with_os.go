// Goroutine ids in a program that links package os (as every program using fmt does): os's init
// calls SetFinalizer, whose createfing starts the finalizer goroutine (goroutine 6, runFinalizers,
// `finalizer wait`), so main's first goroutine is 7 (spec §3 step 4, §14 B13).
//go:debug default=go1.27
package main

import (
	"fmt"
	"time"
)

func main() {
	fmt.Println("start")
	go func() {
		panic("boom")
	}()
	time.Sleep(time.Second)
}
