// B14: select polls ready cases in a uniformly random order; default only when nothing is ready.
//go:debug default=go1.27
package main

import (
	"fmt"
	"runtime"
)

const rounds = 30000

func main() {
	runtime.Gosched()
	cs := []chan int{make(chan int, 1), make(chan int, 1), make(chan int, 1)}
	for _, c := range cs {
		c <- 0
	}
	var counts [3]int
	for i := 0; i < rounds; i++ {
		select {
		case <-cs[0]:
			counts[0]++
			cs[0] <- 0
		case <-cs[1]:
			counts[1]++
			cs[1] <- 0
		case <-cs[2]:
			counts[2]++
			cs[2] <- 0
		}
	}
	empty := make(chan int)
	defaults := 0
	for i := 0; i < 1000; i++ {
		select {
		case <-empty:
		default:
			defaults++
		}
	}
	fmt.Println(counts[0], counts[1], counts[2], defaults)
}
