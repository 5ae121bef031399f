// runtime.Goexit runs the goroutine's deferred calls and ends it, even from a nested call; when
// main calls it the program goes on until the other goroutines are done, then checkdead finds no
// goroutine at all (spec §12.1 step 4).
//go:debug default=go1.27
package main

import (
	"fmt"
	"runtime"
	"time"
)

func main() {
	fmt.Println("start")
	go func() {
		defer fmt.Println("worker deferred")
		func() { runtime.Goexit() }()
		fmt.Println("worker not reached")
	}()
	go func() {
		time.Sleep(10 * time.Millisecond)
		fmt.Println("other done")
	}()
	defer fmt.Println("main deferred")
	runtime.Goexit()
	fmt.Println("main not reached")
}
