// blocking_syscalls: each goroutine computes, blocks its thread in a syscall, computes again
// (gmpkit.scenarios.blocking_syscalls).
package main

func main() {
	var p struct{ Plans [][3]int }
	plan(&p)
	spawnAll(len(p.Plans), func(i int) {
		before, blocked, after := p.Plans[i][0], p.Plans[i][1], p.Plans[i][2]
		work(before)
		blockingSyscall(blocked)
		work(after)
	})
}
