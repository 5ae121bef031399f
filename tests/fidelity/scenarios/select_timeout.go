// select with a timeout (time.After): the channel that is ready first wins; a timer channel
// delivers once its time has passed; a late sender is still received by a later select.
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
	var out []string
	ch := make(chan string)
	go func() {
		time.Sleep(20 * time.Millisecond)
		ch <- "late"
	}()
	select {
	case v := <-ch:
		out = append(out, "got "+v)
	case <-time.After(5 * time.Millisecond):
		out = append(out, "timeout")
	}
	select {
	case v := <-ch:
		out = append(out, "got "+v)
	case <-time.After(200 * time.Millisecond):
		out = append(out, "timeout")
	}
	done := make(chan bool)
	go func() { done <- true }()
	select {
	case <-done:
		out = append(out, "done")
	case <-time.After(time.Second):
		out = append(out, "timeout")
	}
	fmt.Println(strings.Join(out, " "))
}
