// channel_pipeline: a producer sends n items through worker goroutines to main over unbuffered
// channels (gmpkit.scenarios.channel_pipeline).
package main

import "sync"

func main() {
	var p struct {
		Costs   []int
		Workers int
	}
	plan(&p)
	jobs, results := make(chan int), make(chan int)
	var wg sync.WaitGroup
	go func() { // producer
		for i := range p.Costs {
			work(50)
			jobs <- i
		}
		close(jobs)
	}()
	for w := 0; w < p.Workers; w++ {
		wg.Add(1)
		go func() { // worker
			for item := range jobs {
				work(p.Costs[item])
				results <- item
			}
			wg.Done()
		}()
	}
	go func() { // closer
		wg.Wait()
		close(results)
	}()
	done := 0
	for range results {
		done++
		work(30)
	}
	_ = done
}
