// B3b: A yields once (to the GRQ tail); B, C, D only record. A comes back after the local work.
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
	wg.Add(4)
	go func() {
		out = append(out, "A1")
		runtime.Gosched()
		out = append(out, "A2")
		wg.Done()
	}()
	for _, name := range []string{"B", "C", "D"} {
		go func() { out = append(out, name); wg.Done() }()
	}
	wg.Wait()
	fmt.Println(strings.Join(out, " "))
}
