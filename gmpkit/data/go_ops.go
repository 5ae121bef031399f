// What gmpkit's goroutines await, in real Go: the operations the Go versions of the built-in
// scenarios (go_<name>.go) are written with. Each scenario reads the workload gmpkit drew from
// its seed (gmpkit.scenarios.Scenario.plan) as JSON in its first argument. Linux only (timerfd).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// plan decodes the first argument into v, or exits with a message saying what was wrong.
func plan(v any) {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: give the scenario's plan as JSON in the first argument")
		os.Exit(2)
	}
	if err := json.Unmarshal([]byte(os.Args[1]), v); err != nil {
		fmt.Fprintln(os.Stderr, "bad plan:", err)
		os.Exit(2)
	}
}

// work computes for us microseconds of wall time, as gk.work(us=...): a loop with calls in it,
// so sysmon can preempt it.
func work(us int) {
	d := time.Duration(us) * time.Microsecond
	for start := time.Now(); time.Since(start) < d; {
	}
}

// blockingSyscall blocks the thread in the kernel for us microseconds, as gk.syscall(us=...):
// nanosleep goes through syscall.Syscall, so the runtime sees entersyscall/exitsyscall and
// sysmon may hand the P to another thread meanwhile.
func blockingSyscall(us int) {
	ts := syscall.NsecToTimespec(int64(us) * 1000)
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}

// netwait parks the goroutine in the netpoller for us microseconds, as gk.netwait(us=...): it
// reads a non-blocking timerfd that becomes readable after us µs, so the goroutine waits in
// "IO wait" with no thread blocked, and is readied by netpoll when the kernel reports the fd.
func netwait(us int) {
	const clockMonotonic = 1
	fd, _, e := syscall.RawSyscall(syscall.SYS_TIMERFD_CREATE, clockMonotonic,
		syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if e != 0 {
		panic(e)
	}
	// struct itimerspec {it_interval, it_value}, each {tv_sec, tv_nsec}
	spec := [4]int64{0, 0, int64(us / 1e6), int64(us%1e6) * 1000}
	if _, _, e := syscall.RawSyscall6(syscall.SYS_TIMERFD_SETTIME, fd, 0,
		uintptr(unsafe.Pointer(&spec)), 0, 0, 0); e != 0 {
		panic(e)
	}
	f := os.NewFile(fd, "timerfd")
	var buf [8]byte
	if _, err := f.Read(buf[:]); err != nil {
		panic(err)
	}
	f.Close()
}

// sleep is time.Sleep for us microseconds, as gk.sleep(us=...).
func sleep(us int) { time.Sleep(time.Duration(us) * time.Microsecond) }

// spawnAll starts worker(i) for every i < n in one burst and waits for all with a WaitGroup,
// as the model's scenarios do.
func spawnAll(n int, worker func(i int)) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			worker(i)
			wg.Done()
		}()
	}
	wg.Wait()
}
