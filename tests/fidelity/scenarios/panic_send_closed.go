// B12a: send on a closed channel panics in main.
package main

func main() {
	c := make(chan int, 1)
	close(c)
	c <- 1
}
