// B3a: Gosched puts the goroutine on the GRQ tail; runnext and the LRQ are drained first.
//go:debug default=go1.27
package main

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
)

func main() {
	runtime.Gosched()
	var out []string
	var wg sync.WaitGroup
	wg.Add(3)
	for i := 0; i < 3; i++ {
		go func() {
			for j := 0; j < 3; j++ {
				out = append(out, fmt.Sprintf("g%d.%d", i, j))
				runtime.Gosched()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	fmt.Println(strings.Join(out, " "))
}
