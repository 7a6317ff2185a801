// go-service: a small stdlib-only HTTP service.
//
//	server            listen on $PORT (default 8080); GET /healthz answers "ok"
//	server -check     print a one-line self-report and exit (no network needed)
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"runtime"
	"time"
)

func report() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("go-service ok uid=%d gid=%d go=%s host=%s", os.Getuid(), os.Getgid(), runtime.Version(), host)
}

func main() {
	check := flag.Bool("check", false, "print a self-report and exit")
	flag.Parse()
	if *check {
		fmt.Println(report())
		return
	}

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, report())
	})
	srv := &http.Server{Addr: ":" + port, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Printf("listening on :%s (%s)", port, report())
	log.Fatal(srv.ListenAndServe())
}
