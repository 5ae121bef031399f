// B4c: two goroutines exchange a token over unbuffered channels.
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
	ping, pong := make(chan int), make(chan int)
	done := make(chan bool)
	go func() {
		for i := 0; i < 3; i++ {
			v := <-ping
			out = append(out, fmt.Sprintf("B%d", v))
			pong <- v
		}
		done <- true
	}()
	go func() {
		for i := 0; i < 3; i++ {
			out = append(out, fmt.Sprintf("A%d", i))
			ping <- i
			<-pong
		}
		done <- true
	}()
	<-done
	<-done
	fmt.Println(strings.Join(out, " "))
}
