using System.Runtime.CompilerServices;

namespace Scm.Client.Internal;

/// <summary>Walks SCM's <c>position</c>/<c>size</c> paging lazily.</summary>
/// <remarks>
/// When SCM sends <c>X-Total-Count</c> it decides where the list ends: a page shorter than asked is not the end while
/// the total says more rows follow (SCM may cap a page below the requested size), so the next page starts after the
/// rows received. Without a total a short page is the end. An empty page always ends the walk, so a total that
/// overstates the list cannot loop forever; each request starts after every row already received, so none is skipped.
/// </remarks>
internal static class ScmPaging
{
    public static async IAsyncEnumerable<T> WalkAsync<T>(
        int size,
        Func<int, int, CancellationToken, Task<ScmPage<T>>> fetch,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var position = 0;
        while (true)
        {
            var page = await fetch(position, size, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            if (page.Items.Count == 0)
            {
                yield break;
            }

            position += page.Items.Count;
            if (page.TotalCount is { } total)
            {
                if (position >= total)
                {
                    yield break;
                }
            }
            else if (page.Items.Count < size)
            {
                yield break;
            }
        }
    }
}
