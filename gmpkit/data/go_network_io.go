// network_io: each goroutine waits on the netpoller twice, computing briefly in between
// (gmpkit.scenarios.network_io).
package main

func main() {
	var p struct{ Plans [][4]int }
	plan(&p)
	spawnAll(len(p.Plans), func(i int) {
		q := p.Plans[i]
		netwait(q[0])
		work(q[1])
		netwait(q[2])
		work(q[3])
	})
}
