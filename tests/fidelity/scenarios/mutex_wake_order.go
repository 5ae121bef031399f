// sync.Mutex: waiters park FIFO on the semaphore; each Unlock wakes the head waiter into runnext.
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
	var mu sync.Mutex
	var wg sync.WaitGroup
	mu.Lock()
	for _, name := range []string{"w1", "w2", "w3"} {
		wg.Add(1)
		go func() {
			out = append(out, name+"-wait")
			mu.Lock()
			out = append(out, name+"-got")
			mu.Unlock()
			wg.Done()
		}()
		runtime.Gosched() // let it block before the next one
	}
	out = append(out, "main-unlock")
	mu.Unlock()
	out = append(out, "main-wait")
	wg.Wait()
	fmt.Println(strings.Join(out, " "))
}
