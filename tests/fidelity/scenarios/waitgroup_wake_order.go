// sync.WaitGroup: when the counter reaches zero every waiter is released, one semrelease each,
// in FIFO order; each goes to runnext and kicks the previous one to the LRQ tail.
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
	var gate, all sync.WaitGroup
	gate.Add(1)
	for _, name := range []string{"w1", "w2", "w3"} {
		all.Add(1)
		go func() {
			gate.Wait()
			out = append(out, name)
			all.Done()
		}()
		runtime.Gosched()
	}
	out = append(out, "main-done")
	gate.Done()
	out = append(out, "main-continues")
	all.Wait()
	fmt.Println(strings.Join(out, " "))
}
