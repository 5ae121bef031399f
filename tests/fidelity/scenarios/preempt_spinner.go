// B7a: a goroutine spinning in a loop without calls is preempted asynchronously by sysmon
// after 10-20 ms (two observations of an unchanged schedtick); main waits that long in Gosched.
//go:debug default=go1.27
package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

var sink int

func main() {
	runtime.Gosched()
	go func() {
		for {
			sink++
		}
	}()
	var out []string
	for i := 0; i < 5; i++ {
		t0 := time.Now()
		runtime.Gosched()
		out = append(out, fmt.Sprintf("%.1f", float64(time.Since(t0).Microseconds())/1000))
	}
	fmt.Println(strings.Join(out, " "))
}
