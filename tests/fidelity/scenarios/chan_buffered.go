// B4b: a receiver on a full buffer takes the head and moves the blocked sender's value in.
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
	ch := make(chan int, 2)
	done := make(chan bool)
	go func() {
		for v := range ch {
			out = append(out, fmt.Sprintf("recv%d", v))
		}
		done <- true
	}()
	for i := 0; i < 5; i++ {
		out = append(out, fmt.Sprintf("send%d", i))
		ch <- i
	}
	close(ch)
	<-done
	fmt.Println(strings.Join(out, " "))
}
