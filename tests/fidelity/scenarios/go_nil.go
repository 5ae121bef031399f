// `go` of a nil function value: newproc1's fatal error on the system stack, so the dump shows the
// goroutine that ran the go statement first, then every other user goroutine.
//go:debug default=go1.27
package main

import (
	"fmt"
	"time"
)

func main() {
	fmt.Println("start")
	go func() { select {} }()
	time.Sleep(time.Millisecond)
	var f func()
	go f()
	fmt.Println("not reached")
}
