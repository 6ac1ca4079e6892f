/** The extensions the REGISTER benchmark creates: numbers from here, SIP secret `pw-{i}`. */
export const FIRST_BENCH_EXTENSION = 100000;
