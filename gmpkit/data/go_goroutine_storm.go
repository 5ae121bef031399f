// goroutine_storm: main starts many tiny goroutines in one burst; past 256 the local run queue
// overflows to the global one (gmpkit.scenarios.goroutine_storm).
package main

func main() {
	var p struct{ Work []int }
	plan(&p)
	spawnAll(len(p.Work), func(i int) { work(p.Work[i]) })
}
