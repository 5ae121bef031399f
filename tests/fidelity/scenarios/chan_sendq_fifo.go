// B5a: blocked senders queue FIFO on the channel's sendq.
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
	ch := make(chan string)
	for _, name := range []string{"s1", "s2", "s3"} {
		go func() { ch <- name }()
		runtime.Gosched() // let it block before the next one
	}
	for i := 0; i < 3; i++ {
		out = append(out, <-ch)
	}
	fmt.Println(strings.Join(out, " "))
}
