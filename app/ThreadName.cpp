// ThreadName.cpp - the one place that knows how each platform names threads.
#include "ThreadName.h"

#if defined(__linux__)
#include <pthread.h>
#endif

namespace pg
{

void setCurrentThreadName(const char *name)
{
#if defined(__linux__)
    pthread_setname_np(pthread_self(), name);
#else
    (void)name;
#endif
}

} // namespace pg
