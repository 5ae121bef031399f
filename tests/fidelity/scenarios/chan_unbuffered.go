// B4a: unbuffered send hands the value directly to a waiting receiver, which goes to runnext;
// the sender runs on until it blocks.
//go:debug default=go1.27
package main

import (
	"fmt"
	"runtime"
	"strings"
)

func main() {
	runtime.Gosched()
	var out []string
	ch := make(chan int)
	done := make(chan bool)
	go func() {
		for v := range ch {
			out = append(out, fmt.Sprintf("recv%d", v))
		}
		done <- true
	}()
	for i := 0; i < 3; i++ {
		out = append(out, fmt.Sprintf("send%d", i))
		ch <- i
		out = append(out, fmt.Sprintf("sent%d", i))
	}
	close(ch)
	<-done
	fmt.Println(strings.Join(out, " "))
}
