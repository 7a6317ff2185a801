// go-data-service: a stdlib HTTP service that loads a data file from its working directory at start.
//
//	lookup    read ranges.csv (relative to the working directory), listen on $PORT (default 8080);
//	          GET /healthz answers "ok <n> ranges", n the data rows read
package main

import (
	"encoding/csv"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	f, err := os.Open("ranges.csv")
	if err != nil {
		log.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) < 1 {
		log.Fatalf("ranges.csv: %v", err)
	}
	n := len(rows) - 1
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "ok %d ranges\n", n)
	})
	srv := &http.Server{Addr: ":" + port, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Printf("listening on :%s with %d ranges", port, n)
	log.Fatal(srv.ListenAndServe())
}
