// B10: each goroutine blocked in a raw read(2) pins its M; sysmon retakes the P and a new M is
// started, so threads grow far past GOMAXPROCS, and idle Ms never exit afterwards.
//go:debug default=go1.27
package main

import (
	"fmt"
	"sync"
	"syscall"
	"time"
)

func main() {
	const n = 20
	var wg sync.WaitGroup
	var fds [n][2]int
	for i := range fds {
		if err := syscall.Pipe(fds[i][:]); err != nil {
			panic(err)
		}
	}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			buf := make([]byte, 1)
			for {
				_, err := syscall.Read(fds[i][0], buf)
				if err != syscall.EINTR {
					break
				}
			}
			wg.Done()
		}()
	}
	time.Sleep(100 * time.Millisecond)
	for i := 0; i < n; i++ {
		syscall.Write(fds[i][1], []byte{1})
	}
	wg.Wait()
	time.Sleep(50 * time.Millisecond)
	fmt.Println("released", n)
}
