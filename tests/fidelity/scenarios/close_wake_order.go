// B5b: close readies all receivers through a LIFO list into runnext: r1 first, then r4, r3, r2.
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
	ch := make(chan int)
	for _, name := range []string{"r1", "r2", "r3", "r4"} {
		wg.Add(1)
		go func() {
			_, ok := <-ch
			out = append(out, fmt.Sprintf("%s(ok=%v)", name, ok))
			wg.Done()
		}()
		runtime.Gosched()
	}
	close(ch)
	out = append(out, "closer-continues")
	wg.Wait()
	fmt.Println(strings.Join(out, " "))
}
