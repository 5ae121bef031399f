// B8: a ping-pong pair runs through runnext with inheritTime, so schedtick never moves, the
// 1-in-61 check never fires, and main (on the GRQ after Gosched) waits for sysmon's preemption.
//go:debug default=go1.27
package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

func main() {
	runtime.Gosched()
	ping, pong := make(chan int), make(chan int)
	go func() {
		for {
			v := <-ping
			pong <- v + 1
		}
	}()
	go func() {
		v := 0
		for {
			ping <- v
			v = <-pong
		}
	}()
	time.Sleep(50 * time.Millisecond)
	var out []string
	for i := 0; i < 4; i++ {
		t0 := time.Now()
		runtime.Gosched()
		out = append(out, fmt.Sprintf("%.1f", float64(time.Since(t0).Microseconds())/1000))
	}
	fmt.Println(strings.Join(out, " "))
}
