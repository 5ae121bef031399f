// B1: each `go` puts the new goroutine in runnext and kicks the previous one to the LRQ tail.
//go:debug default=go1.27
package main

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

func main() {
	runtime.Gosched() // let runtime goroutines queued at start-up run first
	var out []string
	var wg sync.WaitGroup
	wg.Add(10)
	for i := 0; i < 10; i++ {
		go func() { out = append(out, strconv.Itoa(i)); wg.Done() }()
	}
	wg.Wait()
	fmt.Println(strings.Join(out, " "))
}
