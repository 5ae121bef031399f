// B12a: send on a closed channel panics in main.
//go:debug default=go1.27
package main

func main() {
	c := make(chan int, 1)
	close(c)
	c <- 1
}
