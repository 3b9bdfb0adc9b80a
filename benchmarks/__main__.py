"""`python -m benchmarks`: run the benchmark families and print the table."""

from benchmarks.run import main

if __name__ == "__main__":
    raise SystemExit(main())
