// B10b: with debug.SetMaxThreads(10), blocking 20 goroutines in syscalls needs more Ms than
// allowed: checkmcount prints the limit and the program dies with "thread exhaustion".
//go:debug default=go1.27
package main

import (
	"runtime/debug"
	"sync"
	"syscall"
)

func main() {
	debug.SetMaxThreads(10)
	const n = 20
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		var fd [2]int
		if err := syscall.Pipe(fd[:]); err != nil {
			panic(err)
		}
		wg.Add(1)
		go func() {
			buf := make([]byte, 1)
			for {
				_, err := syscall.Read(fd[0], buf)
				if err != syscall.EINTR {
					break
				}
			}
			wg.Done()
		}()
	}
	wg.Wait()
}
