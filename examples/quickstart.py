"""Store a few integration action logs and ask the questions people ask of them."""

from __future__ import annotations

from actionlogkit import open_store


def main() -> None:
    """Record three calls to a shop's API in memory, then query them."""
    with open_store("memory://") as store:
        store.create_many(
            [
                {
                    "integrationId": "shop-1",
                    "actionType": "create",
                    "entityType": "product",
                    "entityId": "sku-42",
                    "status": "success",
                    "payload": {"title": "Mug", "price": 12.5},
                    "response": {"id": 9001},
                    "executionTime": 182.4,
                },
                {
                    "integrationId": "shop-1",
                    "actionType": "update",
                    "entityType": "product",
                    "entityId": "sku-43",
                    "status": "failed",
                    "payload": {"price": -1},
                    "errorMessage": "HTTP 422: price must be positive",
                    "retryCount": 2,
                    "executionTime": 640.0,
                },
                {
                    "integrationId": "erp",
                    "actionType": "sync",
                    "entityType": "order",
                    "status": "success",
                    "response": {"orders": 12},
                    "executionTime": 1210.7,
                },
            ]
        )
        failed = store.list({"status": "failed"})
        print(f"failed calls: {failed.total}")
        for log in failed.data:
            print(f"  {log.integration_id} {log.action_type} {log.entity_id}: {log.error_message}")
        slowest = store.list(sort="executionTime", order="desc", limit=1).data[0]
        print(f"slowest: {slowest.entity_type} {slowest.action_type}, {slowest.execution_time} ms")
        print(f"calls mentioning 'price': {store.count(search='PRICE')}")
        slow_products = store.count({"entityType": "product", "executionTime": {"$gt": 100}})
        print(f"product calls above 100 ms: {slow_products}")


if __name__ == "__main__":
    main()
