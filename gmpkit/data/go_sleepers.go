// sleepers: each goroutine sleeps then computes, three times (gmpkit.scenarios.sleepers).
package main

func main() {
	var p struct{ Plans [][][2]int }
	plan(&p)
	spawnAll(len(p.Plans), func(i int) {
		for _, step := range p.Plans[i] {
			sleep(step[0])
			work(step[1])
		}
	})
}
