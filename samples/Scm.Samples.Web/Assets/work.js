// Live progress of long work (import, status scan, auto-renewal run): server-sent events from /work/{id}/events,
// polling /work/{id} when the stream is not available. No other script runs on the dashboard.
(function () {
    'use strict';
    var panel = document.querySelector('[data-work-id]');
    if (!panel || panel.getAttribute('data-work-done') === 'true') {
        return;
    }

    var id = panel.getAttribute('data-work-id');
    var bar = panel.querySelector('progress');
    var state = panel.querySelector('[data-work-state]');
    var message = panel.querySelector('[data-work-message]');
    var finished = false;
    var polling = false;

    function show(work) {
        if (typeof work.total === 'number' && work.total > 0) {
            bar.max = work.total;
            bar.value = Math.min(work.processed, work.total);
        } else if (work.done) {
            bar.max = 1;
            bar.value = 1;
        } else {
            bar.removeAttribute('value');
        }
        bar.textContent = String(work.processed);
        state.textContent = work.state;
        message.textContent = work.message;
        if (work.done) {
            finished = true;
            panel.setAttribute('data-work-done', 'true');
        }
    }

    function poll() {
        if (finished) {
            return;
        }
        polling = true;
        fetch('/work/' + id, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (work) {
                if (work) {
                    show(work);
                }
                if (!finished) {
                    window.setTimeout(poll, 1000);
                }
            })
            .catch(function () { window.setTimeout(poll, 2000); });
    }

    if (!window.EventSource) {
        poll();
        return;
    }

    var source = new EventSource('/work/' + id + '/events');
    source.addEventListener('progress', function (event) {
        show(JSON.parse(event.data));
        if (finished) {
            source.close();
        }
    });
    source.onerror = function () {
        // The stream ended or is not available (a proxy that buffers, a dropped connection): poll instead.
        source.close();
        if (!finished && !polling) {
            poll();
        }
    };
}());
