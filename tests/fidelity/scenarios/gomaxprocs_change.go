// runtime.GOMAXPROCS(n) returns the previous value; n <= 0 only queries. After shrinking to one
// P the runnext order of B1 holds again.
//go:debug default=go1.27
package main

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

func main() {
	var out []string
	rec := func(s string) { out = append(out, s) }
	rec("start=" + strconv.Itoa(runtime.GOMAXPROCS(0)))
	rec("set4-prev=" + strconv.Itoa(runtime.GOMAXPROCS(4)))
	rec("now=" + strconv.Itoa(runtime.GOMAXPROCS(0)))
	rec("set4-again-prev=" + strconv.Itoa(runtime.GOMAXPROCS(4)))
	rec("set1-prev=" + strconv.Itoa(runtime.GOMAXPROCS(1)))
	rec("now=" + strconv.Itoa(runtime.GOMAXPROCS(-1)))
	runtime.Gosched()
	var order []string
	var wg sync.WaitGroup
	wg.Add(5)
	for i := 0; i < 5; i++ {
		go func() { order = append(order, strconv.Itoa(i)); wg.Done() }()
	}
	wg.Wait()
	rec("order=" + strings.Join(order, ","))
	fmt.Println(strings.Join(out, " "))
}
