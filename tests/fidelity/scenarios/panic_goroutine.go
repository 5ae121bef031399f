// B13: an unrecovered panic in a goroutine prints only that goroutine and exits with status 2.
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
