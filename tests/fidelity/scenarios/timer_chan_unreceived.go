// A time.After channel that nobody receives from, while main blocks forever: the timer is in no
// heap (Go 1.23+ timer channels join a heap only while a goroutine waits on them), so checkdead
// sees no pending timer and reports the deadlock at once (spec §10, §12.1).
//go:debug default=go1.27
package main

import (
	"fmt"
	"time"
)

func main() {
	_ = time.After(time.Millisecond)
	fmt.Println("blocking")
	select {}
}
