// B2: N goroutines on one P. The LRQ holds 256; when it is full, runqputslow moves the oldest
// 128 plus the kicked goroutine to the GRQ tail. While the LRQ drains, the schedtick%61 check
// takes single goroutines from the GRQ head; alignSchedtick fixes its phase.
//go:debug default=go1.27
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// alignSchedtick leaves the P's schedtick at 1 modulo 61 (GOMAXPROCS must be 1), whatever it was:
// main parks itself on the GRQ behind 61 fresh goroutines, so the 1-in-61 check must pick it
// within them; the number that ran before it tells the phase, and padding goroutines finish it.
func alignSchedtick() {
	runtime.Gosched()
	ran := 0
	var wg sync.WaitGroup
	wg.Add(61)
	for i := 0; i < 61; i++ {
		go func() { ran++; wg.Done() }()
	}
	runtime.Gosched() // main -> GRQ tail; resumes with schedtick == 1 (mod 61)
	r := ran
	wg.Wait() // the rest run fresh (schedtick++ each), main comes back via runnext
	fresh := 61 - r
	if r == 0 {
		fresh = 60 // the runnext one inherited main's slice
	}
	pad := ((1-(1+fresh))%61 + 61) % 61
	if pad > 0 {
		wg.Add(pad + 1) // one runs from runnext (no tick), pad run fresh
		for i := 0; i < pad+1; i++ {
			go func() { wg.Done() }()
		}
		wg.Wait()
	}
}

func compress(xs []int) string {
	var parts []string
	for i := 0; i < len(xs); {
		j := i
		for j+1 < len(xs) && xs[j+1] == xs[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(xs[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", xs[i], xs[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, " ")
}

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	alignSchedtick()
	out := make([]int, 0, n)
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() { out = append(out, i); wg.Done() }()
	}
	wg.Wait()
	fmt.Println(compress(out))
}
