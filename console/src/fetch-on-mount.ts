import { onMounted, ref, Ref } from 'vue';

/**
 * What a page shows from one API call made when it mounts: the result, the
 * error (shown by ErrorNotice), and whether the call is still out.
 */
export function useFetchOnMount<T>(fetch: () => Promise<T>) {
  const result = ref(null) as Ref<T | null>;
  const error = ref<unknown>(null);
  const loading = ref(true);
  onMounted(async () => {
    try {
      result.value = await fetch();
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  });
  return { result, error, loading };
}
