/* SignerSample.c - the small program run_signer_tests.sh signs. */
int main(void)
{
    return 0;
}
