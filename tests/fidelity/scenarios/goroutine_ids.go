// Goroutine ids come from per-P batches of 16 reserved from a global counter (newproc1):
// unique and increasing per P, interleaved across Ps; system goroutines take the first ones.
//go:debug default=go1.27
package main

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

func goid() int {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	f := bytes.Fields(buf[:n])
	id, _ := strconv.Atoi(string(f[1]))
	return id
}

func main() {
	ids := make([]string, 20)
	var wg sync.WaitGroup
	wg.Add(20)
	for i := 0; i < 20; i++ {
		go func() { ids[i] = strconv.Itoa(goid()); wg.Done() }()
	}
	wg.Wait()
	fmt.Println("main=" + strconv.Itoa(goid()) + " " + strings.Join(ids, " "))
}
