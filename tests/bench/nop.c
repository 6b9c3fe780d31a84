/* nop - the smallest program to start: the exec benchmarks measure the
 * cost of starting it, not of running it. Linked statically so that no
 * shared-library loading blurs the figures. */
int main(void)
{
    return 0;
}
