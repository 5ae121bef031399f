// A time.After channel polled by a busy goroutine with select-default: since Go 1.23 a timer
// channel's timer is not in any heap while nobody waits on it, and each receive attempt runs it
// if it is due (maybeRunChan), so the poller sees the value about 1 ms after creating it, not at
// its next trip through the scheduler (spec §10).
//go:debug default=go1.27
package main

import (
	"fmt"
	"time"
)

func spin(d time.Duration) {
	s := time.Now()
	for time.Since(s) < d {
	}
}

func main() {
	start := time.Now()
	t := time.After(time.Millisecond)
	polls := 0
	for {
		select {
		case <-t:
			fmt.Printf("seen_ms=%.3f polls=%d\n", float64(time.Since(start).Microseconds())/1000, polls)
			return
		default:
		}
		polls++
		spin(20 * time.Microsecond)
	}
}
