// Unlock of an unlocked sync.Mutex: a fatal error raised on the goroutine's own stack, so only
// that goroutine is dumped (the other, blocked one is not).
//go:debug default=go1.27
package main

import (
	"fmt"
	"sync"
	"time"
)

func main() {
	fmt.Println("start")
	go func() { select {} }()
	time.Sleep(time.Millisecond)
	var mu sync.Mutex
	mu.Unlock()
}
