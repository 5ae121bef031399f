// B9: a goroutine in a 100 ms blocking syscall does not hold up a CPU-bound one on GOMAXPROCS=1:
// sysmon retakes the P and handoffp starts another M for the runnable goroutine.
//go:debug default=go1.27
package main

import (
	"fmt"
	"sync"
	"syscall"
	"time"
)

func main() {
	start := time.Now()
	var wg sync.WaitGroup
	var cpuDone, sysDone time.Duration
	wg.Add(2)
	go func() {
		t0 := time.Now()
		for time.Since(t0) < 100*time.Millisecond {
		}
		cpuDone = time.Since(start)
		wg.Done()
	}()
	go func() { // created last, so it runs first (runnext)
		ts := syscall.Timespec{Nsec: 100_000_000}
		for {
			var rem syscall.Timespec
			err := syscall.Nanosleep(&ts, &rem)
			if err != syscall.EINTR {
				break
			}
			ts = rem
		}
		sysDone = time.Since(start)
		wg.Done()
	}()
	wg.Wait()
	fmt.Printf("cpu=%d sys=%d total=%d\n", cpuDone.Milliseconds(), sysDone.Milliseconds(),
		time.Since(start).Milliseconds())
}
