// B6: S's sleep timer expires while X runs; the next findRunnable runs the timer, which puts S
// in runnext, ahead of Y that has waited longer in the LRQ.
//go:debug default=go1.27
package main

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
)

func busy(d time.Duration) {
	t0 := time.Now()
	for time.Since(t0) < d {
	}
}

func main() {
	runtime.Gosched()
	var out []string
	var wg sync.WaitGroup
	wg.Add(4)
	go func() {
		out = append(out, "S-sleeps")
		time.Sleep(time.Millisecond)
		out = append(out, "S-woke")
		wg.Done()
	}()
	for _, name := range []string{"X", "Y", "Z"} {
		go func() { busy(3 * time.Millisecond); out = append(out, name); wg.Done() }()
	}
	wg.Wait()
	fmt.Println(strings.Join(out, " "))
}
